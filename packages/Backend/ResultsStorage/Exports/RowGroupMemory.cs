using System.Runtime.CompilerServices;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// The arrays one set of <see cref="ParquetColumnBuffers"/> fills, and the character blocks of its
/// <see cref="TextArena"/>, kept from one export to the next by <see cref="RowGroupMemoryPool"/>. Arrays are
/// held by element type; one of another length than asked for is not reused.
/// </summary>
public sealed class RowGroupMemory
{
    private readonly Dictionary<Type, Stack<Array>> _arrays = [];
    private readonly List<char[]> _textBlocks = [];

    /// <summary>How many text blocks are held.</summary>
    public int TextBlockCount => _textBlocks.Count;

    /// <summary>The bytes held, arrays and text blocks.</summary>
    public long Capacity { get; private set; }

    /// <summary>An array of <paramref name="length"/> elements, all default: a kept one when there is one.</summary>
    public T[] Take<T>(int length)
    {
        if (_arrays.TryGetValue(typeof(T), out var kept) && kept.TryPeek(out var top) && top.Length == length)
        {
            kept.Pop();
            Capacity -= SizeOf<T>(length);
            var array = (T[])top;
            Array.Clear(array);
            return array;
        }

        return new T[length];
    }

    /// <summary>Keeps <paramref name="array"/> for the next set of buffers (references cleared, so that it keeps nothing else alive).</summary>
    public void Give<T>(T[] array)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(array);
        }

        if (!_arrays.TryGetValue(typeof(T), out var kept))
        {
            _arrays[typeof(T)] = kept = new Stack<Array>();
        }

        kept.Push(array);
        Capacity += SizeOf<T>(array.Length);
    }

    /// <summary>
    /// Text block <paramref name="index"/> (<see cref="TextArena.BlockChars"/> characters): an arena fills them in
    /// order, and the next arena in this memory fills the same ones again; one past the last is made and kept.
    /// </summary>
    public char[] TextBlock(int index)
    {
        if (index == _textBlocks.Count)
        {
            _textBlocks.Add(new char[TextArena.BlockChars]);
            Capacity += TextArena.BlockChars * (long)sizeof(char);
        }

        return _textBlocks[index];
    }

    private static long SizeOf<T>(int length) => (long)length * Unsafe.SizeOf<T>();
}
