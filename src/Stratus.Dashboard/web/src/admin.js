// The admin key prompt. The key is read from the dialog for one request and handed straight to the caller: it is
// cleared from the input at once and never written to storage or kept in this module.

const dialog = () => document.getElementById('admin-dialog');

/** Asks for the admin key to do `what`; resolves to the key, or null when cancelled. */
export function askAdminKey(what) {
  const d = dialog();
  const form = d.querySelector('form');
  const input = d.querySelector('#admin-key');
  d.querySelector('#admin-what').textContent = what;
  input.value = '';

  return new Promise((resolve) => {
    const done = (key) => {
      form.removeEventListener('submit', onSubmit);
      d.removeEventListener('close', onClose);
      d.querySelector('#admin-cancel').removeEventListener('click', onCancel);
      input.value = '';
      if (d.open) d.close();
      resolve(key);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      done(input.value);
    };
    const onCancel = () => done(null);
    const onClose = () => done(null); // Escape closes the dialog without a submit
    form.addEventListener('submit', onSubmit);
    d.addEventListener('close', onClose);
    d.querySelector('#admin-cancel').addEventListener('click', onCancel);
    d.showModal();
    input.focus();
  });
}
