using System.Globalization;

namespace Lightdash.Net.Bench;

/// <summary>CPU time used by the processes on a figure's path (backend, S3 server, PostgreSQL), read from /proc.</summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100.0;

    /// <summary>CPU seconds so far of the backend, every S3 server process and every PostgreSQL process.</summary>
    public static IReadOnlyDictionary<string, double> Snapshot(int backendPid)
    {
        var totals = new Dictionary<string, double> { ["backend"] = Seconds(backendPid) ?? 0, ["s3 server"] = 0, ["postgresql"] = 0 };
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == backendPid)
            {
                continue;
            }

            var group = Group(pid);
            if (group is not null && Seconds(pid) is { } seconds)
            {
                totals[group] += seconds;
            }
        }

        return totals;
    }

    /// <summary>
    /// Waits until the backend has used under a twentieth of a core for a whole second (at most
    /// <paramref name="limit"/>) and returns how long that took. After start-up the runtime keeps
    /// recompiling hot methods on a thread of its own for seconds after the work that made them hot;
    /// a figure measured meanwhile shares the cores with that compiler.
    /// </summary>
    public static async Task<TimeSpan> WaitQuietAsync(int backendPid, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var previous = Seconds(backendPid) ?? 0;
        while (clock.Elapsed < limit)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = Seconds(backendPid) ?? 0;
            if (now - previous < 0.05)
            {
                break;
            }

            previous = now;
        }

        return clock.Elapsed;
    }

    /// <summary>"backend 2.1 s, s3 server 1.4 s, ..." for the time between two snapshots.</summary>
    public static string Describe(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after) =>
        string.Join(", ", after.Select(p => $"{p.Key} {p.Value - before.GetValueOrDefault(p.Key):N2} s"));

    private static string? Group(int pid)
    {
        try
        {
            var command = File.ReadAllText($"/proc/{pid}/cmdline");
            if (command.Contains("s3rver", StringComparison.Ordinal))
            {
                return "s3 server";
            }

            return File.ReadAllText($"/proc/{pid}/comm").Trim() == "postgres" ? "postgresql" : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double? Seconds(int pid)
    {
        try
        {
            // Fields after the command name (which may hold spaces): utime is the 14th field, stime the 15th.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
