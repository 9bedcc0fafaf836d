export * from './clocks';
export * from './taxonomy';
