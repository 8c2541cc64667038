// Transactions (manual §6, §7): this app's payments for this shop, searchable by Shopify Payment
// ID, MerchantTradeNo or ECPay TradeNo, filtered by status, ECPay payment method, date and test;
// keyset pages. The export form comes here first: a bad range is shown on its fields, a good one
// is redirected to the CSV download.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, IndexTable, InlineGrid, InlineStack, Link, Page, Pagination, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { StatusBadge, TestBadge } from "~/admin/components";
import { ExportCard } from "~/admin/export-card";
import { shopMethods } from "~/admin/export.server";
import { readExportForm } from "~/admin/export-form";
import { requireAdmin } from "~/web/admin-context.server";
import { checkDateRange, hasErrors } from "~/admin/date-range";
import { formatAmount, formatCount, formatDateTime, moneyNote, taiwanDate } from "~/admin/format";
import { paymentTypeLabel, paymentTypesFor } from "~/admin/payment-types";
import { DISPLAY_STATUSES, STATUS_LABELS } from "~/admin/status";
import { listTransactions, parseTransactionQuery, SEARCH_WINDOW, type TransactionPage, type TransactionQuery } from "~/admin/transactions.server";
import { useAdmin } from "~/admin/use-admin";
import { deps } from "~/deps.server";
import { getMethod } from "~/payments/methods";
import { flagsOf } from "~/payments/settlement-rules";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const search = new URL(request.url).searchParams;
  const d = deps();

  const today = d.now();
  const installed = await shopMethods(d.db, ctx.shop);
  const exportForm = readExportForm(search, `/apps/${ctx.method}`, installed, { from: taiwanDate(new Date(today.getTime() - 30 * 24 * 3600_000)), to: taiwanDate(today) });
  if (exportForm.redirectTo) return redirect(exportForm.redirectTo);

  const query = parseTransactionQuery(search);
  const dates = { from: search.get("from")?.trim() ?? "", to: search.get("to")?.trim() ?? "" };
  const dateErrors = checkDateRange(dates.from, dates.to, { required: false });
  // A filter that cannot be applied lists nothing rather than everything.
  const page: TransactionPage = hasErrors(dateErrors) ? { rows: [], next: null, previous: null } : await listTransactions(d.db, ctx.shop, ctx.method, query);
  return { page, query, dates, dateErrors, exportForm, installed, paymentTypes: paymentTypesFor(getMethod(ctx.method)), searchWindow: SEARCH_WINDOW };
}

function queryString(query: TransactionQuery, cursor: { after?: string; before?: string }): string {
  const params = new URLSearchParams();
  for (const key of ["q", "status", "paymentType", "test", "from", "to"] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (cursor.after) params.set("after", cursor.after);
  if (cursor.before) params.set("before", cursor.before);
  return params.toString();
}

export default function TransactionsPage() {
  const { page, query, dates, dateErrors, exportForm, installed, paymentTypes, searchWindow } = useLoaderData<typeof loader>();
  const { t, base, locale } = useAdmin();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const current = { q: query.q ?? "", status: query.status ?? "", paymentType: query.paymentType ?? "", test: query.test ?? "", from: dates.from, to: dates.to };
  const [filters, setFilters] = useState(current);
  useEffect(
    () => setFilters({ q: current.q, status: current.status, paymentType: current.paymentType, test: current.test, from: current.from, to: current.to }),
    [current.q, current.status, current.paymentType, current.test, current.from, current.to],
  );

  const statusOptions = [{ label: t("admin.transactions.allStatuses"), value: "" }, ...DISPLAY_STATUSES.map((s) => ({ label: t(STATUS_LABELS[s]), value: s }))];
  const methodOptions = [
    { label: t("admin.transactions.allMethods"), value: "" },
    ...paymentTypes.map((value) => ({ label: `${paymentTypeLabel(locale, value)} (${value})`, value })),
  ];
  const testOptions = [
    { label: t("admin.transactions.allModes"), value: "" },
    { label: t("admin.transactions.testOnly"), value: "test" },
    { label: t("admin.transactions.liveOnly"), value: "live" },
  ];

  return (
    <Page title={t("admin.transactions.title")} backAction={{ content: t("admin.nav.home"), url: base }} fullWidth>
      <BlockStack gap="400">
        <Card>
          <Form method="get" id="transaction-filters">
            <BlockStack gap="300">
              <TextField
                label={t("admin.transactions.search")}
                name="q"
                id="search"
                value={filters.q}
                onChange={(q) => setFilters((f) => ({ ...f, q }))}
                autoComplete="off"
                placeholder={t("admin.transactions.searchPlaceholder")}
                clearButton
                onClearButtonClick={() => setFilters((f) => ({ ...f, q: "" }))}
              />
              <InlineGrid columns={{ xs: 1, md: 5 }} gap="300">
                <Select label={t("admin.transactions.status")} name="status" id="status-filter" options={statusOptions} value={filters.status} onChange={(status) => setFilters((f) => ({ ...f, status }))} />
                <Select
                  label={t("admin.transactions.method")}
                  name="paymentType"
                  id="method-filter"
                  options={methodOptions}
                  value={filters.paymentType}
                  onChange={(paymentType) => setFilters((f) => ({ ...f, paymentType }))}
                  helpText={t("admin.transactions.methodHelp")}
                />
                <Select label={t("admin.transactions.mode")} name="test" id="test-filter" options={testOptions} value={filters.test} onChange={(test) => setFilters((f) => ({ ...f, test }))} />
                <TextField
                  label={t("admin.transactions.from")}
                  type="date"
                  name="from"
                  id="filter-from"
                  value={filters.from}
                  onChange={(from) => setFilters((f) => ({ ...f, from }))}
                  autoComplete="off"
                  error={dateErrors.from ? t(dateErrors.from) : undefined}
                />
                <TextField
                  label={t("admin.transactions.to")}
                  type="date"
                  name="to"
                  id="filter-to"
                  value={filters.to}
                  onChange={(to) => setFilters((f) => ({ ...f, to }))}
                  autoComplete="off"
                  error={dateErrors.to ? t(dateErrors.to) : undefined}
                />
              </InlineGrid>
              <InlineStack gap="200" align="end">
                <Button url={`${base}/transactions`}>{t("admin.transactions.clear")}</Button>
                <Button submit variant="primary" loading={navigation.state === "loading" && navigation.location?.pathname === `${base}/transactions`}>
                  {t("admin.transactions.apply")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </Card>
        {hasErrors(dateErrors) ? (
          <Banner tone="critical" title={t("admin.transactions.filterError")} />
        ) : null}
        {page.searchedSince ? (
          <Text as="p" tone="subdued" id="search-window">
            {t("admin.transactions.searchWindow", { since: formatDateTime(page.searchedSince), n: formatCount(searchWindow) })}
          </Text>
        ) : null}
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: t("admin.transactions.singular"), plural: t("admin.transactions.plural") }}
            itemCount={page.rows.length}
            selectable={false}
            emptyState={
              <div style={{ padding: "var(--p-space-400)" }}>
                <Text as="p" tone="subdued">
                  {t("admin.transactions.empty")}
                </Text>
              </div>
            }
            headings={[
              { title: "Payment ID" },
              { title: t("admin.transactions.checkout") },
              { title: "MerchantTradeNo" },
              { title: t("admin.transactions.tradeNo") },
              { title: t("admin.transactions.amount"), alignment: "end" },
              { title: t("admin.transactions.method") },
              { title: t("admin.transactions.status") },
              { title: t("admin.transactions.date") },
            ]}
          >
            {page.rows.map((row, index) => (
              <IndexTable.Row id={row.id} key={row.id} position={index}>
                <IndexTable.Cell>
                  <InlineStack gap="200" blockAlign="center" wrap={false}>
                    <Link url={`${base}/transactions/${encodeURIComponent(row.id)}`} removeUnderline dataPrimaryLink>
                      <Text as="span" fontWeight="semibold">
                        {row.id}
                      </Text>
                    </Link>
                    {row.test ? <TestBadge /> : null}
                    {row.simulatePaid ? <Badge tone="info">{t("admin.badge.simulatePaid")}</Badge> : null}
                    {flagsOf(row.flag).map((flag) => (
                      <Badge key={flag} tone="critical">
                        {flag}
                      </Badge>
                    ))}
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{row.checkoutRef ?? "—"}</IndexTable.Cell>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    {row.merchantTradeNos.length ? row.merchantTradeNos.map((no) => <Text as="span" key={no}>{no}</Text>) : "—"}
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{row.tradeNo ?? "—"}</IndexTable.Cell>
                <IndexTable.Cell>
                  <BlockStack gap="050" inlineAlign="end">
                    <Text as="span" alignment="end" numeric id={`amount-${row.id}`}>
                      {formatAmount(row.amount, row.amountRaw, row.currency)}
                    </Text>
                    {moneyNote(row.money, t, row.currency) ? (
                      <Text as="span" alignment="end" tone="subdued" variant="bodySm" id={`money-${row.id}`}>
                        {moneyNote(row.money, t, row.currency)}
                      </Text>
                    ) : null}
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  {row.paymentType ? (
                    <BlockStack gap="050">
                      <Text as="span" id={`payment-type-${row.id}`}>
                        {paymentTypeLabel(locale, row.paymentType)}
                      </Text>
                      <Text as="span" tone="subdued" variant="bodySm">
                        {row.paymentType}
                      </Text>
                    </BlockStack>
                  ) : (
                    "—"
                  )}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <span id={`status-${row.id}`} data-status={row.status}>
                    <StatusBadge status={row.status} />
                  </span>
                </IndexTable.Cell>
                <IndexTable.Cell>{formatDateTime(row.createdAt)}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
          <div style={{ padding: "var(--p-space-300)", display: "flex", justifyContent: "center" }}>
            <Pagination
              hasPrevious={Boolean(page.previous)}
              hasNext={Boolean(page.next)}
              previousTooltip={t("admin.transactions.newer")}
              nextTooltip={t("admin.transactions.older")}
              onPrevious={() => page.previous && navigate(`?${queryString(query, { before: page.previous })}`)}
              onNext={() => page.next && navigate(`?${queryString(query, { after: page.next })}`)}
            />
          </div>
        </Card>
        <ExportCard form={exportForm} installed={installed} />
      </BlockStack>
    </Page>
  );
}
