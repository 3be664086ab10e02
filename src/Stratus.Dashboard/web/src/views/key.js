// The first screen without a key: the function key goes to sessionStorage, so it lasts for this tab only.
import { h, heading } from '../dom.js';
import { setKey } from '../api.js';

export function keyForm(onSaved) {
  const input = h('input', { id: 'function-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const form = h('form', {
    class: 'key-form',
    onsubmit: (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      setKey(key);
      input.value = '';
      onSaved();
    },
  },
  h('label', { for: 'function-key' }, 'Function key'),
  input,
  h('button', { id: 'save-key', type: 'submit' }, 'Save key'));

  return h('div', { class: 'narrow' },
    heading('Sign in with a function key'),
    h('p', {}, 'The Stratus API needs a function key on every call. It is kept in this tab\'s session storage only, and forgotten when the tab closes.'),
    form);
}
