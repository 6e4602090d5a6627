/* The keyboard map. Views bind keys while they are shown (bind returns the unbind function); `?` lists
 * every active binding. Two-key sequences (`g f`) work; keys are ignored while typing in a field, except
 * Escape, which leaves the field. */

const bindings = [];
let pending = '';
let pendingTimer;

/** `bind('g f', 'Go to files', fn)`; `fn(event)`. */
export function bind(combo, description, handler) {
  const entry = { combo, description, handler };
  bindings.push(entry);
  return () => {
    const i = bindings.indexOf(entry);
    if (i >= 0) bindings.splice(i, 1);
  };
}

export function activeBindings() {
  const seen = new Map();
  for (const b of bindings) seen.set(b.combo, b); // a later binding of the same key wins
  return [...seen.values()];
}

function typing(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || target.isContentEditable;
}

function keyName(e) {
  if (e.key === ' ') return 'Space';
  return e.key;
}

export function installKeys() {
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === 'Escape') e.target.blur();
      return;
    }
    const key = keyName(e);
    const combo = pending ? `${pending} ${key}` : key;
    const list = activeBindings();
    const exact = list.find((b) => b.combo === combo);
    if (exact) {
      pending = '';
      e.preventDefault();
      exact.handler(e);
      return;
    }
    if (list.some((b) => b.combo.startsWith(`${combo} `))) {
      pending = combo;
      clearTimeout(pendingTimer);
      pendingTimer = setTimeout(() => (pending = ''), 1200);
      e.preventDefault();
      return;
    }
    pending = '';
  });
}
