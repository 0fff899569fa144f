namespace Lightdash.Net.Backend.Platform;

/// <summary>Memory a component keeps for reuse (pooled buffers) and can let go when the instance is quiet.</summary>
public interface IReleasableMemory
{
    /// <summary>Lets go of what was not used for <paramref name="quiet"/>; returns the bytes let go.</summary>
    long ReleaseIfQuiet(TimeSpan quiet);
}
