// codes.js is generated from the Java protocol definition and written without JSDoc types, so the
// type check (tsconfig.json) reads this declaration instead: the public one of types/index.d.ts.
// Delete this file once the generated codes.js passes the strict check itself.
export { Advice, CLOSE_CODES, ERROR_CODES, adviceForClose, adviceForError } from '../types/index.js';
