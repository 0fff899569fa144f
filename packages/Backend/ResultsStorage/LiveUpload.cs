namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>What a multipart upload tells as its first parts land, so that a result can be read while it is written.</summary>
/// <param name="HeadBytes">How many of the first bytes are copied at once, before the first part is full.</param>
/// <param name="CopyHead">Stores the copy of the first <paramref name="HeadBytes"/> bytes.</param>
/// <param name="Parts">How many of the first parts are told.</param>
/// <param name="CopyPart">Stores a copy of an uploaded part (its number from 1, its bytes).</param>
/// <param name="PrefixGrown">Told the end offsets of the parts of the uploaded prefix (every part before them uploaded too), in order.</param>
public sealed record LiveUpload(
    int HeadBytes,
    Func<ReadOnlyMemory<byte>, CancellationToken, Task> CopyHead,
    int Parts,
    Func<int, ReadOnlyMemory<byte>, CancellationToken, Task> CopyPart,
    Func<IReadOnlyList<long>, CancellationToken, Task> PrefixGrown);
