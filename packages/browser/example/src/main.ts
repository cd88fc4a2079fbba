/// <reference types="vite/client" />
import { mount } from "./explorer.js"

// `npm run example` passes the loopback emulator's URL and a demo key; `?api=…` picks another archive.
const query = new URLSearchParams(location.search)
const apiUrl = query.get("api") ?? import.meta.env["VITE_DANDI_API_URL"] ?? "https://api.dandiarchive.org/api"
mount(document.getElementById("app")!, { apiUrl, token: query.get("api") === null ? import.meta.env["VITE_DANDI_TOKEN"] : undefined })
