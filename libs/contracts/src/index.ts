export * from './stages';
export * from './file-kinds';
export * from './payloads';
export * from './subjects';
export * from './streams';
export * from './lifecycle';
export * from './tables';
export * from './publishers';
