/**
 * The example explorer page (packages/browser/example), driven in Chromium as a person would use
 * it, against the loopback emulator: pick a dandiset, open a folder, read an asset's metadata,
 * download it verified, open the NWB file lazily, drop a file to upload. A screenshot of each
 * step goes to packages/browser/test-output/example/.
 */
import * as DemoNwb from "@dandi-effect/core/testing/DemoNwb"
import { afterAll, beforeAll, describe, expect, inject, it } from "@effect/vitest"
import { page } from "@vitest/browser/context"
import { mount } from "../example/src/explorer.js"

const { apiUrl, token } = inject("dandiEmulator")

const shot = (name: string) => page.screenshot({ path: `../test-output/example/${name}.png` })

let root: HTMLElement
let dispose: () => Promise<void>

beforeAll(async () => {
  await page.viewport(1280, 720)
  root = document.createElement("div")
  document.body.append(root)
  dispose = mount(root, { apiUrl, token })
})

afterAll(async () => {
  await dispose()
  root.remove()
})

const button = (selector: string) => {
  const found = root.querySelector<HTMLButtonElement>(selector)
  if (found === null) throw new Error(`no ${selector} on the page`)
  return found
}

describe("the explorer page", () => {
  it("lists the dandisets, and searches them", async () => {
    await expect.element(page.getByText("000001 Demo: mouse ecephys sessions")).toBeVisible()
    await expect.element(page.getByText("2 dandisets")).toBeVisible()
    await shot("01-dandisets")
    const search = page.getByLabelText("Search dandisets")
    await search.fill("empty")
    await search.element().dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }))
    await expect.element(page.getByText("1 dandiset", { exact: true })).toBeVisible()
    expect(root.querySelector("[data-dandiset='000001']")).toBeNull()
    await search.fill("")
    await search.element().dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }))
    await expect.element(page.getByText("2 dandisets")).toBeVisible()
  })

  it("opens a dandiset's draft: folders with their sizes", async () => {
    await page.elementLocator(button("[data-dandiset='000001']")).click()
    await expect.element(page.getByText("📁 sub-anm002/")).toBeVisible()
    const folder = button("[data-path='sub-anm002']")
    expect(folder.textContent).toMatch(/in \d+ files$/)
    await shot("02-folders")
  })

  it("opens a folder and shows an asset's metadata", async () => {
    await page.elementLocator(button("[data-path='sub-anm002']")).click()
    await expect.element(page.getByText("sub-anm002_ses-20240201_ecephys.nwb")).toBeVisible()
    await page.elementLocator(button(`[data-path='${DemoNwb.path}']`)).click()
    await expect.element(page.getByLabelText("Metadata")).toHaveTextContent(/"encodingFormat": "application\/x-nwb"/)
    await shot("03-metadata")
  })

  it("downloads the asset and shows it verified", async () => {
    await page.getByRole("button", { name: "Download and verify" }).click()
    await expect.element(page.getByLabelText("Asset status")).toHaveTextContent(/✓ Downloaded .* verified \(dandi-etag/)
    await shot("04-downloaded")
  })

  it("opens the NWB file lazily: its tree and the data's shape, having read under a quarter of it", async () => {
    await page.getByRole("button", { name: "Open NWB" }).click()
    const data = page.getByText(/^\s*data \[32768 × 16\] <h/)
    await expect.element(data).toBeVisible()
    await expect.element(page.getByText(/ElectricalSeries\/ \(ElectricalSeries\)/)).toBeVisible()
    const status = page.getByLabelText("Asset status").element()
    const bytesRead = Number(status.getAttribute("data-bytes-read"))
    expect(Number(status.getAttribute("data-size"))).toBe(DemoNwb.size)
    expect(bytesRead).toBeGreaterThan(0)
    expect(bytesRead).toBeLessThan(DemoNwb.size / 4)
    await shot("05-nwb")
  })

  it("uploads a dropped file into the open folder of the draft, with progress", async () => {
    const file = new File(["recorded by hand\n".repeat(1000)], "notes.txt", { type: "text/plain" })
    const transfer = new DataTransfer()
    transfer.items.add(file)
    page.getByLabelText("Drop a file to upload").element().dispatchEvent(
      new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true })
    )
    await expect.element(page.getByLabelText("Upload status")).toHaveTextContent("✓ Uploaded sub-anm002/notes.txt")
    expect((page.getByLabelText("Upload progress").element() as HTMLProgressElement).value).toBe(1)
    await expect.element(page.getByText("notes.txt", { exact: true })).toBeVisible()
    await shot("06-uploaded")
  })
})
