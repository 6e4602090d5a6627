export * from './config';
export * from './library-roots';
