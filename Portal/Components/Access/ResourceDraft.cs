namespace Portal.Components.Access;

/// <summary>What the resource dialog hands to <see cref="Portal.Core.Access.AccessCatalog"/>.</summary>
public sealed record ResourceDraft(string? Name, string? Description, IReadOnlyList<string> CustomActions);
