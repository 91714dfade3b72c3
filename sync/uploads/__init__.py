"""The portal upload queue: states, enqueueing, claims, attempts, holds, cancellations, the
outcome of an attempt as a store change (``outcomes``), people's actions, the listing and the
views; cXML payloadIDs sent and received."""
