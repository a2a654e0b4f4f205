using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Portal.Tests.Components;

/// <summary>Finds MudBlazor inputs and buttons by what a person reads: the field's label, the button's text.</summary>
public static class FieldQueries
{
    /// <summary>The input control (input, helper and error text) labelled <paramref name="label"/>.</summary>
    public static IElement Field<T>(IRenderedComponent<T> rendered, string label)
        where T : IComponent =>
        rendered.FindAll("div.mud-input-control").First(c => c.QuerySelector("label")?.TextContent.Trim() == label);

    public static IElement Input<T>(IRenderedComponent<T> rendered, string label)
        where T : IComponent =>
        Field(rendered, label).QuerySelector("input")!;

    public static IElement Button<T>(IRenderedComponent<T> rendered, string text)
        where T : IComponent =>
        rendered.FindAll("button").First(b => b.TextContent.Trim() == text);
}
