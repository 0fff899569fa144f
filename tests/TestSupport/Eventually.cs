using System.Diagnostics;

namespace Lightdash.Net.TestSupport;

/// <summary>Polls until something holds: the limits are generous, the behaviour under test is immediate.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; returns how long that took, or fails naming <paramref name="what"/>.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds} s");
            }

            await Task.Delay(20);
        }

        return clock.Elapsed;
    }

    /// <summary>Polls <paramref name="probe"/> until it gives a value; returns it, or fails naming <paramref name="what"/>.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan limit, string what)
        where T : class
    {
        T? value = null;
        await UntilAsync(async () => (value = await probe()) is not null, limit, what);
        return value!;
    }
}
