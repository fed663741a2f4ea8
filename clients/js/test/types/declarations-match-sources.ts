// The hand-written declarations (types/*.d.ts) against the sources (src/, typed with JSDoc and
// checked by the same tsc run): every declared export exists in the sources with a type assignable
// to the declared one, the sources export no value the declarations leave out, and the exported
// classes have no public member the declarations leave out (internals are JSDoc @private).
// Compiled only (npm run typecheck): a drift fails the build.
import * as declared from '../../types/index.js';
import * as sources from '../../src/index.js';
import type { RealtimeChannel as SourceChannel } from '../../src/channels.js';
import * as declaredReact from '../../types/react.js';
import * as sourcesReact from '../../src/react/index.js';
import * as declaredNode from '../../types/node.js';
import * as sourcesNode from '../../src/node/index.js';

/** `true` only if `A` and `B` are the same set of names. */
type SameNames<A extends PropertyKey, B extends PropertyKey> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : false;
/** The public members of `Source` the declaration `Declared` lacks. */
type Undeclared<Source, Declared> = Exclude<keyof Source, keyof Declared>;

export const everyDeclaredExportIsImplemented: typeof declared = sources;
export const everyDeclaredHookIsImplemented: typeof declaredReact = sourcesReact;

export const noUndeclaredExport: SameNames<keyof typeof sources, keyof typeof declared> = true;
export const noUndeclaredHook: SameNames<keyof typeof sourcesReact, keyof typeof declaredReact> = true;
export const everyDeclaredNodeExportIsImplemented: typeof declaredNode = sourcesNode;
export const noUndeclaredNodeExport: SameNames<keyof typeof sourcesNode, keyof typeof declaredNode> = true;

export const noUndeclaredClientMember: [Undeclared<sources.TidewireClient, declared.TidewireClient>] extends [never] ? true : false = true;
export const noUndeclaredStoreMember: [Undeclared<sources.RealtimeStore, declared.RealtimeStore>] extends [never] ? true : false = true;
export const noUndeclaredBackoffMember: [Undeclared<sources.Backoff, declared.Backoff>] extends [never] ? true : false = true;

/** The channel class the client hands out is the declared `RealtimeChannel`. */
export const theChannelClassIsTheDeclaredInterface = (c: SourceChannel): declared.RealtimeChannel => c;
