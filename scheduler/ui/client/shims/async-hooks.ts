// node:async_hooks in the browser: the dashboard runs no correlated work, so the store is always empty.
export class AsyncLocalStorage<T> {
  run<R>(_store: T, fn: () => R): R {
    return fn();
  }
  getStore(): T | undefined {
    return undefined;
  }
}
