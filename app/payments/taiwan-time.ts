// The domain's clock reads in Taiwan time, as ECPay writes it: the one formatter every page uses
// (admin, CSV), re-exported so that no page reaches into the gateway for it.
export { formatTaiwanDateTime } from "../ecpay/taiwan-time";
