/**
 * Implementation of the stream processor: envelope decoding, event mapping and the routing
 * processor. Public for the topology factory and tests only; not an API, may change at any time.
 */
package io.tidewire.processor.internals;
