namespace Lightdash.Net.Bench;

/// <summary>Resident memory of another process, read from /proc.</summary>
public static class ProcessMemory
{
    public static long ResidentBytes(int pid) => ReadKb(pid, "VmRSS:") * 1024;

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
    public static async Task<long> PeakWhileAsync(int pid, Task work)
    {
        long peak = ResidentBytes(pid);
        while (!work.IsCompleted)
        {
            peak = Math.Max(peak, ResidentBytes(pid));
            await Task.WhenAny(work, Task.Delay(20));
        }

        await work;
        return Math.Max(peak, ResidentBytes(pid));
    }
}
