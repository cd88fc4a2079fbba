/**
 * `dandi-effect digest [-d ALGORITHM] PATH…` (contract): prints `PATH: DIGEST` per path, as given
 * and in argument order. A path that cannot be digested gets a one-line error on stderr, the
 * other paths are still printed, and the exit code is 1.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { digestAlgorithms } from "@dandi-effect/core/Digest"
import type { DigestAlgorithm } from "@dandi-effect/core/Digest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as NodeDigests from "../NodeDigests.js"

const algorithm = Options.choice("digest", digestAlgorithms as ReadonlyArray<DigestAlgorithm>).pipe(
  Options.withAlias("d"),
  Options.withDescription("Digest to compute. Default: dandi-etag for files, zarr-checksum for directories."),
  Options.optional
)

const paths = Args.text({ name: "PATH" }).pipe(
  Args.withDescription("Files or directories to digest; printed back exactly as given."),
  Args.atLeast(1)
)

/** Paths digested at once; whole-file work is already spread over worker threads. */
const PATH_CONCURRENCY = 4

/**
 * `dandi-effect digest [-d ALGORITHM] PATH…`.
 *
 * @since 0.1.0
 * @category commands
 */
export const digestCommand = Command.make("digest", { algorithm, paths }, ({ algorithm, paths }) =>
  Stream.fromIterable(paths).pipe(
    // Ordered mapEffect: digests overlap, output keeps argument order.
    Stream.mapEffect(
      (path) => NodeDigests.ofPath(path, Option.getOrUndefined(algorithm)).pipe(Effect.either, Effect.map((r) => [path, r] as const)),
      { concurrency: PATH_CONCURRENCY }
    ),
    Stream.runFoldEffect(0, (failures, [path, result]) =>
      Either.match(result, {
        onRight: (digest) => Console.log(`${path}: ${digest}`).pipe(Effect.as(failures)),
        onLeft: (error) => Console.error(`dandi-effect: ${error.message}`).pipe(Effect.as(failures + 1))
      })),
    Effect.flatMap((failures) =>
      // Not a failure of the command: every error has been reported on its own line already.
      failures > 0 ? Effect.sync(() => {
        process.exitCode = 1
      }) : Effect.void
    ),
    Effect.provide(NodeDigests.layer)
  )).pipe(Command.withDescription("Print the digest of each local file or directory: PATH: DIGEST"))
