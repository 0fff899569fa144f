using System.Diagnostics;

namespace Lightdash.Net.Bench;

/// <summary>A closed-loop load: each of N clients repeats an action (the next starts when the last ended) for a while.</summary>
internal static class ClosedLoop
{
    /// <summary>Runs <paramref name="action"/> (client number, repetition) on <paramref name="clients"/> clients for <paramref name="duration"/>; returns completions and the time taken.</summary>
    public static async Task<(long Count, TimeSpan Elapsed)> RunAsync(int clients, TimeSpan duration, Func<int, int, Task> action)
    {
        long count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                await action(c, i);
                Interlocked.Increment(ref count);
            }
        }));
        return (count, clock.Elapsed);
    }
}
