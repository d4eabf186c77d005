/**
 * Print items in input order while they finish in any order: the head item writes straight through
 * (so a terminal sees text as it streams), later items buffer until their turn.
 */
export interface SinkPart {
  write(s: string): void;
  end(): void;
}

export class OrderedSink {
  private head = 0;
  private readonly buffers: string[][];
  private readonly ended: boolean[];
  private readonly started = new Set<number>();

  /** `separator` goes between the parts that write something (a part may end with nothing). */
  constructor(
    private readonly out: (s: string) => void,
    count: number,
    private readonly separator = '',
  ) {
    this.buffers = Array.from({ length: count }, () => []);
    this.ended = Array.from({ length: count }, () => false);
  }

  part(i: number): SinkPart {
    return {
      write: (s) => {
        if (!s) return;
        if (i === this.head) this.emit(i, s);
        else this.buffers[i]!.push(s);
      },
      end: () => {
        this.ended[i] = true;
        this.advance();
      },
    };
  }

  private advance(): void {
    while (this.head < this.ended.length && this.ended[this.head]) {
      this.head++;
      if (this.head < this.buffers.length) {
        for (const s of this.buffers[this.head]!) this.emit(this.head, s);
        this.buffers[this.head] = [];
      }
    }
  }

  private emit(i: number, s: string): void {
    if (!this.started.has(i)) {
      if (this.started.size && this.separator) this.out(this.separator);
      this.started.add(i);
    }
    this.out(s);
  }
}
