// The login page: POST /api/v1/login sets the session cookie (HttpOnly, SameSite=Strict: no script here ever holds
// the session), then back to the dashboard.
import { API } from './api.js';

const form = document.getElementById('login');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const body = {
    name: document.getElementById('login-name').value,
    password: document.getElementById('login-password').value,
  };
  try {
    const response = await fetch(API + '/login', {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body),
    });
    if (response.ok) {
      location.replace('/');
      return;
    }
    const answer = await response.json().catch(() => ({}));
    error.textContent = answer.detail || answer.error || response.status + ' ' + response.statusText;
  } catch (e) {
    error.textContent = 'the hub is unreachable';
  }
  error.hidden = false;
});

// only now may the form be sent: before this handler, the browser would submit it as a GET with the password in the URL
document.getElementById('login-submit').disabled = false;
