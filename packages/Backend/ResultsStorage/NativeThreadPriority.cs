using System.Runtime.InteropServices;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Lowers the operating-system priority of the calling thread.</summary>
internal static partial class NativeThreadPriority
{
    private const int PriorityProcess = 0;

    /// <summary>
    /// Raises the calling thread's nice value to <paramref name="niceness"/> on Linux (.NET ignores
    /// <see cref="Thread.Priority"/> there; a thread's nice value is set through its kernel thread id).
    /// Lowering a priority needs no privilege. Elsewhere it does nothing and succeeds.
    /// </summary>
    public static bool TryLowerCurrentThread(int niceness, out int errno)
    {
        errno = 0;
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        if (SetPriority(PriorityProcess, GetThreadId(), niceness) == 0)
        {
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
