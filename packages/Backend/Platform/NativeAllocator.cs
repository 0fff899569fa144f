using System.Runtime.InteropServices;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// The number of malloc arenas glibc may create. By default it makes up to eight per core, one more whenever
/// threads contend, and each keeps the pages its freed blocks sit between: after a run of exports, composes
/// and large queries a two-core instance held some 11 MB more native memory at idle with the default than
/// with two arenas (the bench's idle figure). <c>MALLOC_ARENA_MAX</c> in the process's environment is the
/// way to set it (glibc reads it before the runtime's first threads; the run command and the deployment
/// notes set it); this call is the fallback when it is missing: by the time it runs the runtime has made
/// several arenas, so it only stops more from being made. And the trim the idle release asks for. Not glibc
/// (musl, other systems): nothing to do.
/// </summary>
public static partial class NativeAllocator
{
    /// <summary>glibc's mallopt parameter for the maximum number of arenas.</summary>
    private const int MArenaMax = -8;

    /// <summary>The environment variable with which an operator sets the limit for glibc directly; it wins.</summary>
    public const string ArenaMaxVariable = "MALLOC_ARENA_MAX";

    /// <summary>Limits glibc's arenas to <paramref name="arenas"/>; true when the limit was set.</summary>
    /// <param name="arenas">The limit; 0 keeps glibc's default.</param>
    public static bool LimitArenas(int arenas) =>
        arenas > 0
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ArenaMaxVariable))
        && CallGlibc(() => MallOpt(MArenaMax, arenas)) == 1;

    /// <summary>Asks glibc to return the free pages of every arena to the system; true when it returned some.</summary>
    public static bool Trim() => CallGlibc(() => MallocTrim(0)) == 1;

    // Off Linux, or on a libc without the call (musl has neither): nothing done, the allocator manages on its own.
    private static int? CallGlibc(Func<int> call)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return call();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
