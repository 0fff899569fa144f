using System.Globalization;
using System.Runtime.InteropServices;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// The resident pages of a native library's file mappings (its code and read-only data), handed back to
/// the kernel when the instance is quiet. A library used now and then (DuckDB's, some 30 MB resident
/// after one composed query) otherwise counts in the process's resident size for good; paged out, its
/// clean pages stay in the page cache at most, and the next use maps them back (a fault per page, some
/// milliseconds for the whole library). Pages the process changed (relocations) are not file pages and
/// stay. Linux only (MADV_PAGEOUT, kernel 5.4); elsewhere it does nothing.
/// </summary>
public sealed partial class MappedLibraryPages(string fileName) : IReleasableMemory
{
    private const int MadvisePageOut = 21;

    /// <summary>The library's file name as <c>/proc/self/maps</c> ends its lines, for example <c>libduckdb.so</c>.</summary>
    public string FileName { get; } = fileName;

    /// <summary>Resident bytes of the library's file mappings now (0 when it is not loaded or not on Linux).</summary>
    public long ResidentBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        long total = 0;
        var inLibrary = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (IsMappingHeader(line))
            {
                inLibrary = line.EndsWith("/" + FileName, StringComparison.Ordinal);
            }
            else if (inLibrary && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                total += long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return total;
    }

    /// <summary>Pages the library's mappings out; returns how many resident bytes that took away.</summary>
    public long ReleaseIfQuiet(TimeSpan quiet)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var before = ResidentBytes();
        if (before == 0)
        {
            return 0;
        }

        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            if (!line.EndsWith("/" + FileName, StringComparison.Ordinal))
            {
                continue;
            }

            var range = line.AsSpan(0, line.IndexOf(' '));
            var dash = range.IndexOf('-');
            var start = ulong.Parse(range[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = ulong.Parse(range[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            // A hint: a kernel without MADV_PAGEOUT answers EINVAL and keeps the pages.
            _ = Madvise((nint)start, (nuint)(end - start), MadvisePageOut);
        }

        return Math.Max(0, before - ResidentBytes());
    }

    // smaps interleaves "start-end perms offset device inode path" headers with "Key: value" lines.
    private static bool IsMappingHeader(string line)
    {
        var space = line.IndexOf(' ');
        return space > 0 && line[space - 1] != ':';
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
