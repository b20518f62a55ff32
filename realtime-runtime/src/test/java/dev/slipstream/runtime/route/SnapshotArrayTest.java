package dev.slipstream.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The snapshot array against a plain list: after any sequence of adds and removes it holds exactly
 * the elements added and not removed, in full chunks and a last one, and every snapshot handed out
 * earlier still reads as it did.
 */
class SnapshotArrayTest {

  static final class Element extends SnapshotArray.Member {
    final int id;

    Element(int id) {
      this.id = id;
    }

    @Override
    public String toString() {
      return "e" + id;
    }
  }

  private static final Element[] ELEMENTS = new Element[0];

  /** Adds {@code count} new elements, or removes the element at {@code count} modulo the live ones (or a stranger, or one removed before). */
  record Op(boolean add, int count) {
  }

  private static List<Element> read(SnapshotArray.Member[][] chunks) {
    List<Element> elements = new ArrayList<>();
    for (SnapshotArray.Member[] chunk : chunks) {
      for (SnapshotArray.Member member : chunk) {
        elements.add((Element) member);
      }
    }
    return elements;
  }

  @Test
  void aRemovalMovesTheLastElementIntoTheGapAndCopiesOnlyWhatItTouches() {
    SnapshotArray<Element> array = new SnapshotArray<>(ELEMENTS);
    List<Element> added = new ArrayList<>();
    for (int i = 0; i < SnapshotArray.CHUNK * 3 + 5; i++) {
      added.add(new Element(i));
      array.add(added.getLast());
    }
    SnapshotArray.Member[][] before = array.chunks();

    assertThat(array.remove(added.get(1))).isTrue();

    SnapshotArray.Member[][] after = array.chunks();
    assertThat(after.length).isEqualTo(4);
    assertThat(after[0][1]).isSameAs(added.getLast());
    assertThat(after[1]).as("a chunk the removal did not touch is shared").isSameAs(before[1]);
    assertThat(after[2]).isSameAs(before[2]);
    assertThat(after[3]).hasSize(4);
    assertThat(read(before)).as("the earlier snapshot is unchanged").isEqualTo(added);
  }

  @Test
  void removingAStrangerOrTwiceChangesNothing() {
    SnapshotArray<Element> array = new SnapshotArray<>(ELEMENTS);
    SnapshotArray<Element> other = new SnapshotArray<>(ELEMENTS);
    Element mine = new Element(1);
    Element stranger = new Element(2);
    array.add(mine);
    other.add(stranger); // the same slot, 0, in another array

    assertThat(array.remove(stranger)).isFalse();
    assertThat(array.remove(mine)).isTrue();
    assertThat(array.remove(mine)).isFalse();
    assertThat(array.chunks().length).isZero();
    assertThat(other.chunks()[0]).containsExactly(stranger);
  }

  @Property(tries = 200)
  void holdsExactlyWhatWasAddedAndNotRemovedAndOldSnapshotsNeverChange(@ForAll("ops") List<Op> ops) {
    SnapshotArray<Element> array = new SnapshotArray<>(ELEMENTS);
    SnapshotArray<Element> elsewhere = new SnapshotArray<>(ELEMENTS);
    List<Element> live = new ArrayList<>();
    List<Element> gone = new ArrayList<>();
    List<SnapshotArray.Member[][]> snapshots = new ArrayList<>();
    List<List<Element>> seen = new ArrayList<>();
    int next = 0;
    for (Op op : ops) {
      if (op.add()) {
        for (int i = 0; i < op.count(); i++) {
          Element element = new Element(next++);
          array.add(element);
          live.add(element);
        }
      } else if (op.count() % 5 == 0 || live.isEmpty()) {
        // Not in this array: one that was removed, or one of another array.
        Element stranger = gone.isEmpty() || op.count() % 2 == 0 ? new Element(-1) : gone.get(op.count() % gone.size());
        if (stranger.id == -1) {
          elsewhere.add(stranger);
        }
        assertThat(array.remove(stranger)).isFalse();
      } else {
        Element element = live.remove(op.count() % live.size());
        assertThat(array.remove(element)).isTrue();
        gone.add(element);
      }
      SnapshotArray.Member[][] chunks = array.chunks();
      assertThat(read(chunks)).containsExactlyInAnyOrderElementsOf(live);
      assertThat(array.size()).isEqualTo(live.size());
      for (int c = 0; c < chunks.length; c++) {
        assertThat(chunks[c]).isInstanceOf(Element[].class);
        if (c < chunks.length - 1) {
          assertThat(chunks[c]).hasSize(SnapshotArray.CHUNK);
        } else {
          assertThat(chunks[c]).isNotEmpty().hasSizeLessThanOrEqualTo(SnapshotArray.CHUNK);
        }
      }
      snapshots.add(chunks);
      seen.add(read(chunks));
    }
    for (int i = 0; i < snapshots.size(); i++) {
      assertThat(read(snapshots.get(i))).as("snapshot %d, read again at the end", i).isEqualTo(seen.get(i));
    }
    assertThat(Arrays.stream(array.chunks()).mapToInt(chunk -> chunk.length).sum()).isEqualTo(live.size());
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> adds = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.integers().between(1, 3)),
        Tuple.of(1, Arbitraries.integers().between(SnapshotArray.CHUNK - 2, SnapshotArray.CHUNK + 2)))
        .map(count -> new Op(true, count));
    Arbitrary<Op> removes = Arbitraries.integers().between(0, 10_000).map(index -> new Op(false, index));
    return Arbitraries.frequencyOf(Tuple.of(1, adds), Tuple.of(2, removes)).list().ofMinSize(1).ofMaxSize(60);
  }
}
