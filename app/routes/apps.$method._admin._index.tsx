import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, Page, Text } from "@shopify/polaris";
import prisma from "~/db.server";
import { getMethod } from "~/payments/methods";
import { authenticateMerchant } from "~/shopify/admin-auth.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { method, session } = await authenticateMerchant(request, params.method);
  const installation = await prisma.shopInstallation.findUnique({
    where: { method_shop: { method, shop: session.shop } },
    include: { binding: { select: { merchantId: true } } },
  });
  return {
    shop: session.shop,
    serviceName: getMethod(method).serviceName,
    merchantId: installation?.binding?.merchantId ?? null,
    ready: installation?.configuredReady ?? false,
  };
}

export default function AdminHome() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page title={data.serviceName["zh-TW"]} subtitle={data.shop}>
      <Card>
        <BlockStack gap="200">
          <Text as="p">
            綠界商店代號 Merchant ID：{data.merchantId ?? "尚未綁定 Not bound"}
          </Text>
          <Badge tone={data.ready ? "success" : "attention"}>{data.ready ? "Ready 已就緒" : "Not ready 尚未就緒"}</Badge>
        </BlockStack>
      </Card>
    </Page>
  );
}
