import { describe, expect, it } from 'vitest';
import { alarmFigures, isAlarmKind, stopsSigning } from './integrity';

describe('integrity alarms', () => {
  it('stops signing over a changed history, not over a row moved aside', () => {
    expect(stopsSigning([{ kind: 'rolled_back' }])).toBe(true);
    expect(stopsSigning([{ kind: 'rewritten' }])).toBe(true);
    expect(stopsSigning([{ kind: 'signer_state_unreadable' }])).toBe(true);
    expect(stopsSigning([{ kind: 'inserted_row' }])).toBe(false);
    expect(stopsSigning([{ kind: 'inserted_row' }, { kind: 'rolled_back' }])).toBe(true);
    expect(stopsSigning([])).toBe(false);
  });

  it('names the sizes an alarm knows, and leaves out the ones it does not', () => {
    expect(alarmFigures({ kind: 'rolled_back', signedSize: 1, headSize: 0, seq: 1 })).toEqual([
      { key: 'signedSize', label: 'Last signed checkpoint', value: '1 event' },
      { key: 'headSize', label: 'Log in the database now', value: '0 events' },
      { key: 'seq', label: 'First missing event', value: '#1' },
    ]);
    expect(alarmFigures({ kind: 'inserted_row', signedSize: null, headSize: 41, seq: 42 })).toEqual([
      { key: 'headSize', label: 'Log in the database now', value: '41 events' },
      { key: 'seq', label: 'Row in the way', value: '#42' },
    ]);
    expect(
      alarmFigures({ kind: 'signer_state_unreadable', signedSize: null, headSize: null, seq: null }),
    ).toEqual([]);
  });

  it('knows the kinds the server sends', () => {
    expect(isAlarmKind('rolled_back')).toBe(true);
    expect(isAlarmKind('toString')).toBe(false);
    expect(isAlarmKind(3)).toBe(false);
  });
});
