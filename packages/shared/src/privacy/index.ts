export * from './clocks';
export * from './retention';
export * from './taxonomy';
