namespace Portal.Components;

public static class ProductInfo
{
    public const string Name = "API Key Portal";
}
