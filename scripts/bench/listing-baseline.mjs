// The baseline of the listing bench: lists a version's assets the way dandi-cli's
// `get_dandiset(...).get_assets()` requests them (the version record first, then 100-item pages
// without metadata: page 1, then the remaining pages five in flight), in plain `fetch`, and prints
// the number of assets and the elapsed seconds as JSON.
const [apiUrl, dandisetId, versionId = "draft"] = process.argv.slice(2)
const started = process.hrtime.bigint()

const getJson = async (url) => {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`)
  return response.json()
}

await getJson(`${apiUrl}/dandisets/${dandisetId}/versions/${versionId}/`)
const base = `${apiUrl}/dandisets/${dandisetId}/versions/${versionId}/assets/?order=path&page_size=100`
const first = await getJson(base)
const pageCount = Math.ceil(first.count / first.results.length)
const pages = [first.results]
let nextPage = 2
const worker = async () => {
  while (nextPage <= pageCount) {
    const page = nextPage++
    pages[page - 1] = (await getJson(`${base}&page=${page}`)).results
  }
}
await Promise.all(Array.from({ length: 5 }, worker))
const count = pages.reduce((sum, results) => sum + results.length, 0)
console.log(JSON.stringify({ count, requests: pageCount + 1, seconds: Number(process.hrtime.bigint() - started) / 1e9 }))
