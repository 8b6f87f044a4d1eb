/** Wire messages, CBOR codec and framing, vote signatures and certificate identity. */
package io.mtlsvoting.protocol;
