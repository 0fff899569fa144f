using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Queries;

/// <summary>Which rows one page of a result holds, and the pages around it.</summary>
/// <param name="TotalRows">The rows of the whole result.</param>
/// <param name="Page">The page, from 1.</param>
/// <param name="PageSize">Rows per page.</param>
public sealed record PageWindow(long TotalRows, int Page, int PageSize)
{
    /// <summary>How many pages the result has (an empty result has one, empty).</summary>
    public int TotalPages => (int)Math.Max(1, (TotalRows + PageSize - 1) / PageSize);

    /// <summary>The first row of the page, from 0.</summary>
    public long StartRow => (long)(Page - 1) * PageSize;

    /// <summary>How many rows the page holds (fewer on the last page).</summary>
    public int RowCount => (int)Math.Max(0, Math.Min(PageSize, TotalRows - StartRow));

    /// <summary>The next page, or null on the last.</summary>
    public int? NextPage => Page < TotalPages ? Page + 1 : null;

    /// <summary>The previous page, or null on the first.</summary>
    public int? PreviousPage => Page > 1 ? Page - 1 : null;

    /// <summary>The window of <paramref name="page"/>; 400 when it is beyond the last page.</summary>
    public static PageWindow Of(long totalRows, int page, int pageSize)
    {
        var window = new PageWindow(totalRows, page, pageSize);
        if (page > window.TotalPages)
        {
            throw new ValidationException(
                $"page {page} is beyond the last page: the result has {totalRows} rows, {window.TotalPages} page(s) of {pageSize}.");
        }

        return window;
    }
}
