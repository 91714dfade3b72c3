"""The portal upload queue: states, enqueueing, claims, attempts, holds, cancellations, people's actions and the views; cXML payloadIDs sent and received."""
