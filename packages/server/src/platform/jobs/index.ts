export { createRedisLease } from './redis-lease';
export {
  createJobRunner,
  type Job,
  type JobRunner,
  type JobSpec,
  type JobState,
  type Lease,
  type LeaseHold,
} from './runner';
