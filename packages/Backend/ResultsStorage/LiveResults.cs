using System.Text.Json;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// What of a result still being written can already be read: each uploaded part is also put as an
/// object of its own beside the (not yet visible) multipart object, and a small manifest lists the
/// parts of the uploaded prefix and the byte offsets of the blocks of rows complete in it. Every
/// instance reads pages of an executing query from there; the objects go when the result is done.
/// </summary>
public static class LiveResults
{
    /// <summary>The prefix of a result's live objects.</summary>
    public static string Prefix(string key) => key + ".live/";

    /// <summary>The copy of the result's first bytes.</summary>
    public static string HeadKey(string key) => Prefix(key) + "head";

    /// <summary>The copy of part <paramref name="partNumber"/>.</summary>
    public static string PartKey(string key, int partNumber) => $"{Prefix(key)}part-{partNumber}";

    /// <summary>The manifest.</summary>
    public static string ManifestKey(string key) => Prefix(key) + "manifest.json";

    /// <summary>One stored piece of the readable prefix.</summary>
    /// <param name="Key">The object holding it.</param>
    /// <param name="End">Where it ends in the result (exclusive); it starts where the piece before it ends.</param>
    public sealed record Piece(string Key, long End);

    /// <summary>The readable prefix of a result being written.</summary>
    /// <param name="Pieces">The objects of the prefix, in order (the head alone, then the copies of the first parts).</param>
    /// <param name="BlockOffsets">The offset of each complete block's first row, then the end of the last complete block.</param>
    /// <param name="BlockRows">Rows per block.</param>
    public sealed record Manifest(IReadOnlyList<Piece> Pieces, IReadOnlyList<long> BlockOffsets, int BlockRows)
    {
        /// <summary>Rows readable now (whole blocks).</summary>
        public long Rows => Math.Max(0, BlockOffsets.Count - 1) * (long)BlockRows;

        /// <summary>The manifest as stored.</summary>
        public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, JsonSerializerOptions.Web);

        /// <summary>A stored manifest.</summary>
        public static Manifest Decode(Stream stream) => JsonSerializer.Deserialize<Manifest>(stream, JsonSerializerOptions.Web)!;
    }
}
