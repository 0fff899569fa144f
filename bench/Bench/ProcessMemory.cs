namespace Lightdash.Net.Bench;

/// <summary>Resident memory of another process, read from /proc.</summary>
public static class ProcessMemory
{
    public static long ResidentBytes(int pid) => ReadKb(pid, "VmRSS:") * 1024;

    /// <summary>Resident bytes that are not pages of mapped files (heaps, stacks, compiled code): what the kernel cannot drop under pressure.</summary>
    public static long AnonymousBytes(int pid) => (ReadKb(pid, "RssAnon:") + ReadKb(pid, "RssShmem:")) * 1024;

    /// <summary>What the resident size is made of: anonymous memory (heaps), and pages of mapped files (code) with the largest few libraries.</summary>
    public static string Breakdown(int pid)
    {
        var byFile = new Dictionary<string, long>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-', StringComparison.Ordinal))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                current = fields.Length >= 6 && fields[5].StartsWith('/') ? Path.GetFileName(fields[5]) : null;
            }
            else if (current is not null && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                byFile[current] = byFile.GetValueOrDefault(current) + long.Parse(line[4..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var top = byFile.OrderByDescending(p => p.Value).Take(4).Select(p => $"{p.Key} {p.Value / 1024.0:N0}");
        return $"anon {ReadKb(pid, "RssAnon:") / 1024.0:N0} MB, files {ReadKb(pid, "RssFile:") / 1024.0:N0} MB ({string.Join(", ", top)})";
    }

    private static long ReadKb(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{field} not found for process {pid}");
    }

    /// <summary>Samples the resident size every 20 ms until stopped; returns the peak.</summary>
    public static async Task<long> PeakWhileAsync(int pid, Task work) => await PeakWhileAsync(pid, work, ResidentBytes);

    /// <summary>Samples a figure of the process every 20 ms until stopped; returns its peak.</summary>
    public static async Task<long> PeakWhileAsync(int pid, Task work, Func<int, long> measure)
    {
        long peak = measure(pid);
        while (!work.IsCompleted)
        {
            peak = Math.Max(peak, measure(pid));
            await Task.WhenAny(work, Task.Delay(20));
        }

        await work;
        return Math.Max(peak, measure(pid));
    }
}
