// Building the page from data without ever parsing data as HTML: text is always a text node, so a product
// name or an error message cannot become markup (and the CSP forbids inline script besides).

export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A page heading that takes focus after navigation, so screen readers start at the new content. */
export function heading(text) {
  return h('h1', { tabindex: '-1' }, text);
}

/** A labelled input with an optional hint and a place for its error, linked by aria-describedby. */
export function field({ label, name, type = 'text', autocomplete, hint, value, inputmode, min, max }) {
  const id = `field-${name}`;
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', {
    id, name, type, autocomplete, inputmode, min, max, value,
    'aria-describedby': hintId,
    'data-describedby': hintId ?? '',
  });
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
    input);
}

/** A service's field message ("must be 15 to 256 characters") as a sentence. */
function asSentence(message) {
  const text = String(message ?? '').trim();
  if (!text) return 'This is not valid.';
  return text[0].toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}

/** Removes the errors shown beside a form's fields. */
export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) {
    input.removeAttribute('aria-invalid');
    const hintId = input.dataset.describedby;
    if (hintId) input.setAttribute('aria-describedby', hintId);
    else input.removeAttribute('aria-describedby');
  }
  for (const error of form.querySelectorAll('.field-error')) {
    error.textContent = '';
    error.hidden = true;
  }
}

/**
 * Shows each {field, message} beside its input (found by `inputFor(field)`, by default the input with that
 * name). Returns the messages that have no input, for the form's summary, and focuses the first bad input.
 */
export function showFieldErrors(form, errors, inputFor = (name) => form.querySelector(`[name="${CSS.escape(name)}"]`)) {
  const unplaced = [];
  let first = null;
  for (const { field: name, message } of errors) {
    const input = typeof name === 'string' ? inputFor(name) : null;
    if (!input) {
      unplaced.push(name ? `${name}: ${message}` : message);
      continue;
    }
    const error = form.querySelector(`#${CSS.escape(input.id)}-error`);
    if (error) {
      const sentence = asSentence(message);
      error.textContent = error.textContent ? `${error.textContent} ${sentence}` : sentence;
      error.hidden = false;
      const hintId = input.dataset.describedby;
      input.setAttribute('aria-describedby', [hintId, error.id].filter(Boolean).join(' '));
    }
    input.setAttribute('aria-invalid', 'true');
    first ??= input;
  }
  first?.focus();
  return unplaced;
}

/** Shows `text` in an alert region (announced on change); an empty text hides it. */
export function setAlert(region, text, kind = 'problem') {
  region.textContent = text;
  region.className = `alert ${kind}`;
  region.hidden = !text;
}

/** Resolves after `ms`, or rejects with the signal's AbortError. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
