// The REST API as the dashboard's modules use it: JSON in, JSON out, an Error with the server's detail otherwise.
export const API = '/api/v1';

async function answer(response) {
  const text = await response.text();
  const body = text ? JSON.parse(text) : {};
  if (response.status === 401 && !location.pathname.endsWith('/login.html')) location.replace('/login.html');
  if (!response.ok) throw new Error(body.detail || body.error || response.status + ' ' + response.statusText);
  return body;
}

export async function getJson(path) {
  return answer(await fetch(API + path, { headers: { accept: 'application/json' } }));
}

export async function postJson(path, body) {
  return answer(await fetch(API + path, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body),
  }));
}
