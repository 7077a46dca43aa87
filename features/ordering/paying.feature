Feature: Ordering and paying with KakaoPay
  A buyer orders a product from the catalog and pays for it on KakaoPay's page.
  The shop works out what the buyer owes from the catalog (price plus the option's extra
  price, times the quantity); the buyer never names the amount.

  Background:
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And the product "제주 감귤 5kg" has the option "10kg" at 5,000 won extra
    And a buyer named Minji

  Scenario: The amount owed comes from the catalog
    When Minji orders 2 of "제주 감귤 5kg" with the option "10kg" to pay with KakaoPay
    Then Minji owes 70,000 won
    And Minji's order is waiting for payment

  Scenario: Paying on KakaoPay's page makes the order paid
    Given Minji ordered 1 "제주 감귤 5kg" to pay with KakaoPay
    When Minji pays on KakaoPay's page
    Then Minji is told the order is paid
    And Minji's order is paid
    And KakaoPay approved Minji's payment of 30,000 won once

  Scenario: Coming back from KakaoPay a second time does not charge the buyer twice
    Given Minji ordered 1 "제주 감귤 5kg" to pay with KakaoPay
    And Minji paid on KakaoPay's page
    When Minji's browser comes back from KakaoPay a second time
    Then Minji is told the order is paid
    And Minji's order is paid
    And KakaoPay approved Minji's payment of 30,000 won once

  Scenario: An order of nothing is refused
    When Minji orders 0 of "제주 감귤 5kg" to pay with KakaoPay
    Then the order is refused as invalid
    And Minji has no orders
    And KakaoPay was not asked to take a payment

  Scenario: An order for a product the shop does not sell is refused
    When Minji orders 1 of a product the shop does not sell to pay with KakaoPay
    Then the order is refused because the product does not exist
    And Minji has no orders
    And KakaoPay was not asked to take a payment
