"""Cash application: matching receipts to open items, allocations, correcting journals and their
views."""
