package io.mtlsvoting.persistence.journal;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Turns journal entries into rows and back with whatever Pekko serializer is bound to the event
 * class (Jackson CBOR in the node), storing serializer id, serializer manifest and bytes.
 */
final class EventSerializer {

  private final Serialization serialization;

  EventSerializer(ActorSystem system) {
    this.serialization = SerializationExtension.get(system);
  }

  /** Serializes every event of one atomic write; throws if any of them cannot be serialized. */
  List<SerializedEvent> serialize(AtomicWrite write, long now) {
    List<PersistentRepr> reprs = CollectionConverters.asJava(write.payload());
    List<SerializedEvent> rows = new ArrayList<>(reprs.size());
    for (PersistentRepr repr : reprs) {
      Object event = repr.payload();
      String[] tags = null;
      if (event instanceof Tagged tagged) {
        event = tagged.payload();
        tags = CollectionConverters.asJava(tagged.tags()).toArray(String[]::new);
      }
      Serializer serializer = serialization.findSerializerFor(event);
      byte[] bytes = serializer.toBinary(event);
      rows.add(
          new SerializedEvent(
              repr.persistenceId(),
              repr.sequenceNr(),
              repr.writerUuid(),
              repr.timestamp() > 0 ? repr.timestamp() : now,
              serializer.identifier(),
              Serializers.manifestFor(serializer, event),
              bytes,
              repr.manifest(),
              tags));
    }
    return rows;
  }

  /** Rebuilds the journal entry of one stored row; throws if the bytes cannot be read. */
  PersistentRepr deserialize(
      String persistenceId,
      long sequenceNr,
      String writer,
      long writeTimestamp,
      int serializerId,
      String manifest,
      byte[] payload,
      String eventManifest) {
    Object event = serialization.deserialize(payload, serializerId, manifest).get();
    return PersistentRepr.apply(
            event, sequenceNr, persistenceId, eventManifest, false, ActorRef.noSender(), writer)
        .withTimestamp(writeTimestamp);
  }

  /** Serializes a snapshot; returns serializer id, manifest and bytes. */
  StoredObject serializeObject(Object value) {
    Serializer serializer = serialization.findSerializerFor(value);
    return new StoredObject(
        serializer.identifier(),
        Serializers.manifestFor(serializer, value),
        serializer.toBinary(value));
  }

  /** Reads a value written by {@link #serializeObject}. */
  Object deserializeObject(StoredObject stored) {
    return serialization
        .deserialize(stored.payload(), stored.serializerId(), stored.manifest())
        .get();
  }

  /** A serialized value: serializer id, serializer manifest, bytes. */
  record StoredObject(int serializerId, String manifest, byte[] payload) {}
}
