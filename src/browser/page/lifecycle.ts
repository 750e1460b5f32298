/**
 * Page lifecycle: hidden (visibilitychange to hidden, pagehide — both on window: visibilitychange bubbles
 * from document), visible again (visibilitychange, pageshow from the back/forward cache) and `online`.
 * Returns the function that removes every listener.
 */
export interface EventTargetLike {
  addEventListener(type: string, fn: (e: Event) => void, options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: string, fn: (e: Event) => void, options?: boolean | EventListenerOptions): void;
}

export interface LifecycleHandlers {
  hidden(): void;
  visible(): void;
  online(): void;
}

export function watchLifecycle(
  win: EventTargetLike,
  doc: { visibilityState?: string } | undefined,
  h: LifecycleHandlers,
): () => void {
  const onVisibility = (): void => (doc && doc.visibilityState === 'hidden' ? h.hidden() : h.visible());
  const onHide = (): void => h.hidden();
  const onShow = (e: Event): void => {
    if ((e as PageTransitionEvent).persisted) h.visible();
  };
  const onOnline = (): void => h.online();
  const list: Array<[string, (e: Event) => void]> = [
    ['visibilitychange', onVisibility],
    ['pagehide', onHide],
    ['pageshow', onShow],
    ['online', onOnline],
  ];
  for (const [type, fn] of list) win.addEventListener(type, fn);
  return () => {
    for (const [type, fn] of list) win.removeEventListener(type, fn);
  };
}
