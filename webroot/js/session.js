// Who is logged in: shows the user and a logout button when the hub asks for logins, and sends the page to the login
// page when its session is missing or over (any API answer of 401).
import { API } from './api.js';

export function toLogin() {
  if (!location.pathname.endsWith('/login.html')) location.replace('/login.html');
}

async function show() {
  const response = await fetch(API + '/session', { headers: { accept: 'application/json' } });
  if (response.status === 401) { toLogin(); return; }
  if (!response.ok) return;
  const session = await response.json();
  if (!session.auth) return;
  const box = document.getElementById('session');
  box.querySelector('.who').textContent = session.name + ' · ' + session.role;
  box.hidden = false;
  box.querySelector('button').addEventListener('click', async () => {
    await fetch(API + '/logout', { method: 'POST' });
    toLogin();
  });
}

show().catch(() => {});
