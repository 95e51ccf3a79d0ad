// A typed fan-out of one service's events to its subscribers (the /v1/events
// sockets, tests). The hub stamps each event with `at`, the time it was sent.

export type Stamped<E> = E & { at: string };

export type Subscriber<E> = (event: Stamped<E>) => void;

export class EventHub<E extends { type: string }> {
  private readonly subscribers = new Set<Subscriber<E>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Stamps the event, hands it to every subscriber, and returns it. */
  emit(event: E): Stamped<E> {
    const stamped = { ...event, at: this.now().toISOString() };
    for (const subscriber of this.subscribers) subscriber(stamped);
    return stamped;
  }

  /** Returns the function that unsubscribes. */
  subscribe(subscriber: Subscriber<E>): () => void {
    // A wrapper, so that subscribing one function twice gives two independent subscriptions.
    const entry: Subscriber<E> = (event) => subscriber(event);
    this.subscribers.add(entry);
    return () => {
      this.subscribers.delete(entry);
    };
  }

  get size(): number {
    return this.subscribers.size;
  }
}
