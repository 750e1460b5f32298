import { render } from 'preact';
import { App } from './app.js';
import { createApi } from './api.js';
import { sessionKeyStore } from './read-key.js';
import './style.css';

// The page is served at /ui/: the API is one level up, on the same origin.
const keys = sessionKeyStore();
const root = document.getElementById('app');
if (root) render(<App api={createApi(keys)} keys={keys} />, root);
