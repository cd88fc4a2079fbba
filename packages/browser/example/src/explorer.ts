/**
 * A small dandiset explorer on the SDK alone: list and search dandisets, browse a version's
 * folders with their sizes, show an asset's metadata, download an asset with its digests
 * verified, upload a dropped file into a draft with progress, and open an NWB file lazily.
 * Plain DOM, one ManagedRuntime over `BrowserDandi.layer`.
 */
import * as BlobByteSink from "@dandi-effect/browser/BlobByteSink"
import * as BlobByteSource from "@dandi-effect/browser/BlobByteSource"
import * as BrowserDandi from "@dandi-effect/browser/BrowserDandi"
import * as DandiApi from "@dandi-effect/core/DandiApi"
import type { RemoteAsset } from "@dandi-effect/core/RemoteAsset"
import { RemoteBlobAsset } from "@dandi-effect/core/RemoteAsset"
import type { RemoteDandiset } from "@dandi-effect/core/RemoteDandiset"
import * as Uploader from "@dandi-effect/core/Uploader"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import prettyBytes from "pretty-bytes"
import { inspect } from "./lazyHdf5.js"

export interface ExplorerOptions {
  /** The archive's API URL, e.g. `http://127.0.0.1:8000/api` or `https://api.dandiarchive.org/api`. */
  readonly apiUrl: string
  /** An API key, needed to upload. */
  readonly token?: string | undefined
}

/** Sizes as the CLI and dandi-cli print them: decimal units (`1.34 MB`). */
export const formatSize = (bytes: number): string => prettyBytes(bytes)

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) if (value !== undefined) node.setAttribute(key, value)
  node.append(...children)
  return node
}

const styles = `
.dx { font: 14px/1.4 system-ui, sans-serif; color: #1d2330; display: grid; gap: 12px; padding: 12px;
  grid-template-columns: 280px 1fr 1fr; grid-template-rows: auto 1fr; min-height: 560px; background: #f5f7fa; }
.dx header { grid-column: 1 / 4; display: flex; gap: 8px; align-items: center; }
.dx header h1 { font-size: 18px; margin: 0 12px 0 0; }
.dx section { background: white; border: 1px solid #d8dde6; border-radius: 6px; padding: 10px; overflow: auto; }
.dx h2 { font-size: 15px; margin: 0 0 8px; }
.dx ul { list-style: none; margin: 0; padding: 0; }
.dx li button { all: unset; cursor: pointer; display: flex; justify-content: space-between; width: 100%; padding: 3px 4px; border-radius: 4px; }
.dx li button:hover { background: #eef2f8; }
.dx .size { color: #5c6675; font-variant-numeric: tabular-nums; white-space: nowrap; padding-left: 8px; }
.dx pre:empty { display: none; }
.dx pre { font-size: 12px; background: #f0f2f5; padding: 6px; max-height: 180px; overflow: auto; }
.dx .ok { color: #11763a; font-weight: 600; }
.dx .err { color: #b3261e; }
.dx .drop { border: 2px dashed #9aa5b5; border-radius: 6px; padding: 14px; text-align: center; margin-top: 10px; }
.dx .drop.over { background: #eef6ff; border-color: #2f6fd6; }
.dx progress { width: 100%; }
.dx .tree li { white-space: pre; font-family: ui-monospace, monospace; font-size: 12px; }
`

/** Mounts the explorer into `root`; the returned function disposes of it. */
export const mount = (root: HTMLElement, options: ExplorerOptions): () => Promise<void> => {
  let runtime = ManagedRuntime.make(
    BrowserDandi.layer({ instance: options.apiUrl, discover: false, token: options.token, validateToken: false })
  )
  type Env = ManagedRuntime.ManagedRuntime.Context<typeof runtime>
  const run = <A, E>(effect: Effect.Effect<A, E, Env>, status: HTMLElement): Promise<A | undefined> =>
    runtime.runPromise(effect).catch((error: unknown) => {
      status.className = "err"
      status.textContent = error instanceof Error ? error.message : String(error)
      return undefined
    })

  const instance = el("input", { "aria-label": "API URL", size: "40", value: options.apiUrl })
  const key = el("input", { "aria-label": "API key", type: "password", placeholder: "API key (to upload)", value: options.token ?? "" })
  const connect = el("button", {}, "Connect")
  const search = el("input", { "aria-label": "Search dandisets", placeholder: "Search dandisets" })
  const dandisetList = el("ul", { "aria-label": "Dandisets" })
  const listStatus = el("p")
  const crumbs = el("p", { "aria-label": "Folder" })
  const folderList = el("ul", { "aria-label": "Folder contents" })
  const folderStatus = el("p")
  const progress = el("progress", { max: "1", value: "0", "aria-label": "Upload progress" })
  const uploadStatus = el("p", { "aria-label": "Upload status" })
  const drop = el("div", { class: "drop", "aria-label": "Drop a file to upload" }, "Drop a file here to upload it into this draft", progress, uploadStatus)
  const assetTitle = el("h2", {}, "Asset")
  const assetActions = el("div")
  const assetStatus = el("p", { "aria-label": "Asset status" })
  const nwbView = el("div", { "aria-label": "NWB file" })
  const metadata = el("pre", { "aria-label": "Metadata" })

  root.replaceChildren(
    el("style", {}, styles),
    el(
      "div",
      { class: "dx" },
      el("header", {}, el("h1", {}, "DANDI explorer"), instance, key, connect),
      el("section", {}, el("h2", {}, "Dandisets"), search, listStatus, dandisetList),
      el("section", {}, el("h2", {}, "Files"), crumbs, folderStatus, folderList, drop),
      el("section", {}, assetTitle, assetActions, assetStatus, nwbView, metadata)
    )
  )

  let current: { dandiset: RemoteDandiset; folder: string } | undefined

  const listDandisets = () => {
    listStatus.className = ""
    listStatus.textContent = "Loading…"
    const text = search.value.trim()
    return run(
      Effect.gen(function*() {
        const api = yield* DandiApi.DandiApi
        const found = yield* Stream.runCollect(Stream.take(api.getDandisets(text === "" ? {} : { search: text }), 50))
        dandisetList.replaceChildren(...Chunk.toReadonlyArray(found).map((dandiset) => {
          const version = Option.getOrUndefined(dandiset.knownVersion)
          const button = el(
            "button",
            { "data-dandiset": dandiset.identifier },
            el("span", {}, `${dandiset.identifier} ${version?.name ?? ""}`),
            el("span", { class: "size" }, formatSize(version?.size ?? 0))
          )
          button.addEventListener("click", () => void openDandiset(dandiset))
          return el("li", {}, button)
        }))
        listStatus.textContent = `${found.length} dandiset${found.length === 1 ? "" : "s"}`
      }),
      listStatus
    )
  }

  const openDandiset = (dandiset: RemoteDandiset) =>
    run(
      Effect.gen(function*() {
        // The draft: everything published plus what was added since, and where uploads go.
        current = { dandiset: yield* dandiset.forVersion("draft"), folder: "" }
        yield* Effect.promise(() => showFolder(""))
      }),
      folderStatus
    )

  const showFolder = (folder: string): Promise<void> => {
    if (current === undefined) return Promise.resolve()
    const state = current
    state.folder = folder
    folderStatus.className = ""
    folderStatus.textContent = "Loading…"
    return run(
      Effect.gen(function*() {
        const entries = Chunk.toReadonlyArray(yield* Stream.runCollect(state.dandiset.getFolder(folder)))
        const parts = folder === "" ? [] : folder.replace(/\/$/, "").split("/")
        const rootCrumb = el("button", {}, state.dandiset.identifier)
        rootCrumb.addEventListener("click", () => void showFolder(""))
        crumbs.replaceChildren(rootCrumb, ...parts.map((part) => ` / ${part}`))
        folderList.replaceChildren(...entries.map((entry) => {
          const name = entry.path.slice(folder.length).replace(/^\//, "")
          const button = el(
            "button",
            { "data-path": entry.path, "data-kind": entry.isFolder ? "folder" : "file" },
            el("span", {}, entry.isFolder ? `📁 ${name}/` : name),
            el("span", { class: "size" }, entry.isFolder
              ? `${formatSize(entry.aggregate_size)} in ${entry.aggregate_files} files`
              : formatSize(entry.aggregate_size))
          )
          button.addEventListener("click", () => {
            if (entry.asset === null) void showFolder(`${entry.path}/`)
            else void showAsset(entry.asset.asset_id)
          })
          return el("li", {}, button)
        }))
        folderStatus.textContent = ""
      }),
      folderStatus
    )
  }

  const showAsset = (assetId: string) => {
    if (current === undefined) return Promise.resolve()
    const { dandiset } = current
    assetStatus.className = ""
    assetStatus.textContent = ""
    nwbView.replaceChildren()
    return run(
      Effect.gen(function*() {
        const asset = yield* dandiset.getAsset(assetId)
        assetTitle.textContent = asset.path
        metadata.textContent = JSON.stringify(yield* asset.getRawMetadata(), null, 2)
        const actions: Array<HTMLElement> = []
        if (asset instanceof RemoteBlobAsset) {
          const download = el("button", {}, "Download and verify")
          download.addEventListener("click", () => void downloadAsset(asset))
          actions.push(download)
          if (asset.path.endsWith(".nwb")) {
            const open = el("button", {}, "Open NWB")
            open.addEventListener("click", () => void openNwb(asset))
            actions.push(open)
          }
        }
        assetActions.replaceChildren(...actions)
      }),
      assetStatus
    )
  }

  const downloadAsset = (asset: RemoteAsset & RemoteBlobAsset) => {
    assetStatus.className = ""
    assetStatus.textContent = "Downloading…"
    return run(
      Effect.gen(function*() {
        const target = yield* BlobByteSink.toBlob(asset.path)
        let completed: Array<string> = []
        yield* Stream.runForEach(asset.downloadTo(target.sink), (event) =>
          Effect.sync(() => {
            if (event._tag === "Progress") {
              assetStatus.textContent = `Downloading… ${formatSize(event.done)} of ${formatSize(event.size)}`
            }
            if (event._tag === "Completed") completed = [...event.verified]
          }))
        const blob = Option.getOrThrow(yield* target.blob)
        const link = el("a", { href: URL.createObjectURL(blob), download: asset.path.split("/").pop()! }, "Save")
        assetStatus.className = "ok"
        assetStatus.replaceChildren(`✓ Downloaded ${formatSize(blob.size)}, verified (${completed.join(", ")}) `, link)
      }),
      assetStatus
    )
  }

  const openNwb = (asset: RemoteBlobAsset) => {
    assetStatus.className = ""
    assetStatus.textContent = "Opening lazily…"
    return run(
      Effect.scoped(Effect.gen(function*() {
        const reader = yield* asset.asReadable({ blockSize: 16 * 1024, maxReadAhead: 0 })
        const summary = yield* inspect(reader)
        assetStatus.className = "ok"
        assetStatus.dataset["bytesRead"] = String(summary.bytesRead)
        assetStatus.dataset["size"] = String(summary.size)
        assetStatus.textContent = `NWB ${summary.nwbVersion ?? "?"}: read ${formatSize(summary.bytesRead)} of ` +
          `${formatSize(summary.size)} (${(100 * summary.bytesRead / summary.size).toFixed(1)}%)`
        nwbView.replaceChildren(el(
          "ul",
          { class: "tree", "aria-label": "HDF5 tree" },
          ...summary.nodes.map((node) =>
            el(
              "li",
              { "data-hdf5": node.path },
              `${"  ".repeat(node.path.split("/").length - 2)}${node.path.split("/").pop()}` +
                (node.kind === "dataset" ? ` [${(node.shape ?? []).join(" × ")}] ${node.dtype ?? ""}` : "/") +
                (node.neurodataType === undefined ? "" : ` (${node.neurodataType})`)
            )
          )
        ))
      })),
      assetStatus
    )
  }

  const upload = (file: File) => {
    if (current === undefined) {
      uploadStatus.textContent = "Open a dandiset first."
      return Promise.resolve()
    }
    const { dandiset, folder } = current
    const path = `${folder}${file.name}`
    uploadStatus.className = ""
    uploadStatus.textContent = `Uploading ${path}…`
    progress.value = 0
    return run(
      Effect.gen(function*() {
        const uploader = yield* Uploader.Uploader
        yield* Stream.runForEach(
          uploader.upload({ dandisetId: dandiset.identifier, source: BlobByteSource.fromBlob(file), path }),
          (event) =>
            Effect.sync(() => {
              if (event._tag === "Progress" || event._tag === "PartUploaded") {
                progress.value = event.bytesDone / Math.max(1, event.totalBytes)
              }
              if (event._tag === "Done") {
                progress.value = 1
                uploadStatus.className = "ok"
                uploadStatus.textContent = `✓ Uploaded ${path} (${formatSize(event.asset.size)})`
              }
            })
        )
        yield* Effect.promise(() => showFolder(folder))
      }),
      uploadStatus
    )
  }

  drop.addEventListener("dragover", (event) => {
    event.preventDefault()
    drop.classList.add("over")
  })
  drop.addEventListener("dragleave", () => drop.classList.remove("over"))
  drop.addEventListener("drop", (event) => {
    event.preventDefault()
    drop.classList.remove("over")
    const file = event.dataTransfer?.files[0]
    if (file !== undefined) void upload(file)
  })
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void listDandisets()
  })
  connect.addEventListener("click", () => {
    const previous = runtime
    const token = key.value.trim()
    runtime = ManagedRuntime.make(BrowserDandi.layer({
      instance: instance.value.trim(),
      discover: false,
      token: token === "" ? undefined : token,
      validateToken: false
    }))
    void previous.dispose()
    current = undefined
    folderList.replaceChildren()
    void listDandisets()
  })

  void listDandisets()
  return () => runtime.dispose()
}
