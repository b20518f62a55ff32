package dev.slipstream.runtime.route;

import java.util.Arrays;

/**
 * A set of elements that one writer changes and any thread reads without a lock, as immutable
 * snapshots: arrays of chunks, each chunk never written again once published. A reader takes
 * {@link #chunks()} once and walks it (or hands the chunks on whole) however the set changes
 * meanwhile; two reads that return the same chunk saw the same elements in it.
 *
 * <p>Chunked so that a change copies one or two chunks and the array of chunk references, not
 * the whole set: adding 15,000 subscriptions one by one to one group copies ~15,000 × 512
 * references, not 15,000²/2. Every chunk but the last holds {@link #CHUNK} elements; the last one
 * is exactly as long as what it holds, so a snapshot needs no separate size. A removal moves the
 * last element into the gap (order is not kept), found through the element's {@link Member#slot},
 * which only the writer reads and writes.
 *
 * <p>Writer: whoever holds the owner's lock ({@link SubscriptionIndex}); not thread-safe itself.
 */
final class SnapshotArray<E extends SnapshotArray.Member> {

  /** Elements per full chunk: a change copies at most two chunks and ~size/CHUNK references. */
  static final int CHUNK = 512;

  /** An element of one {@link SnapshotArray} at a time; its slot is the writer's to keep. */
  abstract static class Member {
    /** Where the element is in its array (-1: in none); read and written by the array's writer only. */
    int slot = -1;
  }

  private static final Member[][] NONE = new Member[0][];

  /** An empty array of the elements' class: chunks are copies of it, so they read as arrays of that class. */
  private final E[] prototype;
  private volatile Member[][] chunks = NONE;
  private int size;

  SnapshotArray(E[] prototype) {
    this.prototype = prototype;
  }

  /** The current snapshot: full chunks, then the last one; never changed once returned. Any thread. */
  Member[][] chunks() {
    return chunks;
  }

  /** Writer only. */
  int size() {
    return size;
  }

  /** Writer only. */
  boolean isEmpty() {
    return size == 0;
  }

  /** Writer only: {@code element} must be in no array. */
  void add(E element) {
    Member[][] old = chunks;
    Member[][] next;
    int last = old.length - 1;
    if (last < 0 || old[last].length == CHUNK) {
      next = Arrays.copyOf(old, old.length + 1);
      Member[] chunk = Arrays.copyOf(prototype, 1);
      chunk[0] = element;
      next[old.length] = chunk;
    } else {
      next = old.clone();
      Member[] chunk = Arrays.copyOf(old[last], old[last].length + 1);
      chunk[chunk.length - 1] = element;
      next[last] = chunk;
    }
    element.slot = size++;
    chunks = next; // publishes the element with its chunk
  }

  /** Writer only: false, changing nothing, if {@code element} is not in this array. */
  boolean remove(E element) {
    int slot = element.slot;
    if (slot < 0 || slot >= size) {
      return false;
    }
    Member[][] old = chunks;
    int chunkIndex = slot / CHUNK;
    int offset = slot % CHUNK;
    if (old[chunkIndex][offset] != element) {
      return false; // an element of another array with the same slot
    }
    int last = old.length - 1;
    Member[] tail = old[last];
    Member moved = tail[tail.length - 1];
    Member[][] next = tail.length == 1 ? Arrays.copyOf(old, last) : old.clone();
    if (tail.length > 1) {
      next[last] = Arrays.copyOf(tail, tail.length - 1);
    }
    if (moved != element) {
      // The last element fills the gap; its chunk is a copy (the shortened tail, or the gap's own).
      Member[] chunk = chunkIndex == last ? next[last] : old[chunkIndex].clone();
      chunk[offset] = moved;
      next[chunkIndex] = chunk;
      moved.slot = slot;
    }
    element.slot = -1;
    size--;
    chunks = next;
    return true;
  }
}
