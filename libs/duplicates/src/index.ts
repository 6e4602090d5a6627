export * from './canonical';
export * from './completeness';
export * from './groups';
