using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Sessions;

/// <summary>How quickly an ended session stops working, bound from the <c>Sessions</c> section.</summary>
public sealed class SessionCheckOptions
{
    public const string Section = "Sessions";

    /// <summary>
    /// How often an open Blazor circuit (an interactive page) asks whether its session still lives,
    /// in seconds. A circuit has no HTTP requests of its own, so this is how long a tab of an ended
    /// session keeps its rights at most (plus <see cref="CheckCacheSeconds"/>).
    /// </summary>
    [Range(1, 300, ErrorMessage = "Sessions:RevalidationSeconds must be between 1 and 300.")]
    public int RevalidationSeconds { get; set; } = 5;

    /// <summary>
    /// How long one node remembers that a session lives, in seconds (0: ask the database on every
    /// request). Sessions ended on this node are forgotten at once; an end written by another node,
    /// or a security stamp changed in the database, is seen within this bound.
    /// </summary>
    [Range(0, 30, ErrorMessage = "Sessions:CheckCacheSeconds must be between 0 and 30.")]
    public int CheckCacheSeconds { get; set; } = 2;
}
