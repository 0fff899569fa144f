namespace Lightdash.Net.Bench;

/// <summary>The backend's memory when it has nothing to do: resident size once it stops moving, and the runtime's own figures.</summary>
internal static class IdleMemory
{
    /// <summary>
    /// The resident size after the backend has been idle long enough to give memory back: 20 s of quiet
    /// (the backend releases after 10 s of it, checked every 5 s), then sampled every 3 s until two samples
    /// differ by less than 1 MB (at most 30 s more).
    /// </summary>
    public static async Task<long> SettledAsync(int pid)
    {
        await Task.Delay(TimeSpan.FromSeconds(20));
        var previous = ProcessMemory.ResidentBytes(pid);
        for (var waited = 0; waited < 30; waited += 3)
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var now = ProcessMemory.ResidentBytes(pid);
            if (Math.Abs(now - previous) < 1024 * 1024)
            {
                return now;
            }

            previous = now;
        }

        return previous;
    }

    /// <summary>The runtime's heap and committed sizes from the backend's <c>/metrics</c> (System.Runtime meter), as one line.</summary>
    public static async Task<string> RuntimeFiguresAsync(BackendClient client)
    {
        try
        {
            var text = await client.Http.GetStringAsync("/metrics");
            var wanted = new[] { "dotnet_gc_last_collection_heap_size_bytes", "dotnet_gc_last_collection_memory_committed_size_bytes", "dotnet_process_memory_working_set_bytes" };
            var lines = text.Split('\n').Where(l => wanted.Any(w => l.StartsWith(w, StringComparison.Ordinal))).Select(Shorten);
            return string.Join("; ", lines);
        }
        catch (HttpRequestException e)
        {
            return $"(/metrics not read: {e.Message})";
        }
    }

    private static string Shorten(string line)
    {
        var parts = line.Split(' ');
        return double.TryParse(parts[^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
            ? $"{parts[0].Replace("dotnet_", "", StringComparison.Ordinal)} {bytes / 1048576:N0} MB"
            : line;
    }
}
